require ["imap4flags", "fileinto"];
if header :contains "x-priority" "1" { addflag "\\Flagged"; }
if address :domain "from" "example.org" { fileinto :flags "\\Seen" "Org"; }
keep;
