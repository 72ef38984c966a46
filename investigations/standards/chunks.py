"""Reading a large table a chunk at a time, in constant memory."""


def in_chunks(queryset, size, read=list):
    """Lists of up to ``size`` rows in key order, each read with one query (and its
    prefetches) however far into the table it is; ``read`` makes a chunk's query a list."""
    last_pk = 0
    while chunk := read(queryset.filter(pk__gt=last_pk).order_by("pk")[:size]):
        yield chunk
        last_pk = chunk[-1].pk
