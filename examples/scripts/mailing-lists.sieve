# One folder per mailing list, named after the List-Id: "Dev team <dev.lists.example.org>"
# goes to Lists/dev.
require ["fileinto", "variables", "mailbox"];

if header :matches "list-id" "*<*.lists.example.org>*" {
  set :lower "list" "${2}";
  fileinto :create "Lists/${list}";
  stop;
}
if header :matches "subject" "[*] *" {
  set :lower "tag" "${1}";
  fileinto :create "Tagged/${tag}";
}
