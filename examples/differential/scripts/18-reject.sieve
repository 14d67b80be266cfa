require "reject";
if address :domain :is "from" "cheap-deals.example" { reject "Your message was refused."; }
