require "fileinto";
if address :domain "to" "example.com" { fileinto "Mine"; stop; }
fileinto "NotMine";
