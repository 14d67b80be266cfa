# Refuse mail from a domain that keeps sending junk, with an explanation.
require "reject";

if address :domain :is "from" "cheap-deals.example" {
  reject text:
Your message was refused: this address does not accept mail
from cheap-deals.example.
.
;
}
