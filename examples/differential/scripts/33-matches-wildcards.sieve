require "fileinto";
if header :matches "from" "*@example.??*" { fileinto "Wild1"; }
if header :matches "subject" "\\[dev\\]*" { fileinto "Escaped"; }
if header :matches "to" "*" { fileinto "Any"; }
