require "fileinto";
if header :matches "subject" "[dev]*" { fileinto "Lists"; }
elsif header :matches "subject" "*#?????" { fileinto "Orders"; }
elsif header :matches "message-id" "<*@example.???>" { fileinto "ExampleTLD3"; }
