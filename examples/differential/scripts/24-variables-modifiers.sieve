require ["variables", "fileinto"];
set "folder" "INBOX";
if header :matches "subject" "*#*" { set :upper "folder" "order ${2}"; }
if string :is "${folder}" "INBOX" { keep; } else { fileinto "${folder}"; }
