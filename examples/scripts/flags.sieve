# Mark urgent mail as flagged and mail from yourself as seen.
require ["imap4flags", "fileinto"];

if anyof (header :is "x-priority" "1", header :is "importance" "high") {
  addflag "\\Flagged";
}
if address :is "from" "bob@example.com" {
  fileinto :flags "\\Seen" "Sent copies";
  stop;
}
keep;
