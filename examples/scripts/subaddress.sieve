# bob+receipts@example.com goes to Receipts, bob+news@... to News, and so on.
require ["envelope", "subaddress", "fileinto", "variables"];

if envelope :matches :detail "to" "*" {
  if string :is "${1}" "" { stop; }
  set "box" "${1}";
  fileinto "Plus/${box}";
}
