require ["variables", "fileinto"];
if header :matches "list-id" "*<*.lists.example.org>" {
  set :lower "list" "${2}";
  fileinto "Lists/${list}";
} elsif address :matches :domain "from" "*.*" {
  set "dom" "${1}";
  fileinto "Domains/${dom}";
}
