require "fileinto";
if header :is :comparator "i;octet" "subject" "win a free cruise now" { fileinto "Lower"; }
elsif header :contains :comparator "i;octet" "subject" "WIN" { fileinto "Upper"; }
