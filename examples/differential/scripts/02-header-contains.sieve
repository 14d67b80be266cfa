require "fileinto";
if header :contains ["subject", "comments"] ["receipt", "invoice"] { fileinto "Receipts"; }
elsif header :contains "subject" "cruise" { fileinto "Junk"; }
