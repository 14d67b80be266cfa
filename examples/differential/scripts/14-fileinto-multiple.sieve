require "fileinto";
fileinto "Archive";
fileinto "Archive";
if address :domain "from" "example.org" { fileinto "Org"; }
