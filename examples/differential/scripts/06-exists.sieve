require "fileinto";
if exists "list-id" { fileinto "HasListId"; }
if not exists ["x-spam-score"] { fileinto "Unscored"; }
if exists ["from", "to", "x-priority"] { fileinto "Priority"; }
