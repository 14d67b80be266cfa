require "fileinto";
if exists "from" {
  if header :contains "from" "example.org" {
    if size :over 10K { fileinto "Org/Large"; }
    else { fileinto "Org/Small"; }
  } elsif header :contains "from" ["example.net", "example.es"] {
    fileinto "Foreign";
  }
}
