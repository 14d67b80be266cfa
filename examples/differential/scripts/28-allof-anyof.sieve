require "fileinto";
if allof (address :domain "from" "example.org", not header :contains "subject" "photos") { fileinto "A"; }
if anyof (header :contains "subject" "cruise", exists "auto-submitted") { fileinto "B"; }
if not anyof (true, false) { fileinto "Never"; }
