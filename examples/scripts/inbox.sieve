# A whole personal filter: spam to Junk, one folder per mailing list, urgent mail flagged,
# invoices copied to accounting, plus-addressed news in its folder, and an out-of-office reply
# for the rest (run with --config examples/config/spamtest-score.json).
require ["fileinto", "spamtest", "relational", "comparator-i;ascii-numeric", "imap4flags",
         "variables", "mailbox", "copy", "envelope", "subaddress", "vacation"];

if spamtest :value "ge" :comparator "i;ascii-numeric" "8" {
  fileinto "Junk";
  stop;
}
if header :matches "list-id" "*<*.lists.example.org>*" {
  set :lower "list" "${2}";
  fileinto :create "Lists/${list}";
  stop;
}
if anyof (header :is "x-priority" "1", header :contains "subject" "urgent") {
  addflag "\\Flagged";
}
if allof (address :domain :is "from" ["store.example", "billing.example.net"],
          header :contains "subject" ["invoice", "receipt"]) {
  redirect :copy "accounting@example.com";
  fileinto "Receipts";
  stop;
}
if envelope :detail "to" "news" {
  fileinto "News";
  stop;
}
vacation :days 7 :subject "Out of office" "I am away until 17 March.";
