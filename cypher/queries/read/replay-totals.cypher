// How many events a replay reads (received up to $until, epoch ms), for its progress bar.
MATCH (e:Event)
WHERE e.receivedAt <= $until
RETURN count(e) AS events
