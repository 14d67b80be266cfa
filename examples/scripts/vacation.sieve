# Out-of-office reply, at most once a week per sender, never to lists or bulk mail.
require "vacation";

if anyof (exists "list-id", header :is "precedence" ["bulk", "list", "junk"]) {
  keep;
  stop;
}
vacation :days 7 :subject "Out of office"
         :addresses ["bob@example.com", "robert@example.com"]
  "I am away until 17 March, with limited access to e-mail.
For anything urgent please contact alice@example.com.";
