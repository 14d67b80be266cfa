require ["reject", "relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "12" {
  reject text:
Your message looks like spam and was refused.
..
Contact postmaster@example.com if this is a mistake.
.
;
}
