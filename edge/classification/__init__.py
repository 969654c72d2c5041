"""Classification at the edge: which infotype (TAXONOMY.md) a column holds, with evidence."""
