require "fileinto";
if size :over 100K { fileinto "Large"; }
elsif size :under 400 { fileinto "Tiny"; }
