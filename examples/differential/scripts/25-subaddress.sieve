require ["subaddress", "fileinto", "envelope"];
if envelope :detail "to" "receipts" { fileinto "Receipts"; }
if address :user "from" "carol" { fileinto "Carol"; }
if address :detail "from" "lists" { fileinto "CarolLists"; }
