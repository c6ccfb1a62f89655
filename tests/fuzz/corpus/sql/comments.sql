-- leading
SELECT /* inline */ event_id # hash
FROM p-x.d.t
WHERE event_id = @n