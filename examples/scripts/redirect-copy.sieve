# Send a copy of invoices to the accounting team, keep the original.
require ["copy", "fileinto"];

if allof (address :domain :is "from" ["store.example", "billing.example.net"],
          header :contains "subject" ["invoice", "receipt"]) {
  redirect :copy "accounting@example.com";
  fileinto "Receipts";
}
