"""Networks of published records: the graph around a record, its layout and its picture."""
