require "imap4flags";
setflag "\\Seen";
if header :contains "subject" "Photos" { addflag "$Photos"; }
