require "fileinto";
if address :domain :is "from" "example.org" { fileinto "Org"; }
if address :localpart :is "from" "promo" { fileinto "Promo"; }
if address :all :contains ["to", "cc"] "grace@" { fileinto "Grace"; }
