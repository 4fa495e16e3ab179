// Marks batches whose webhook deliveries are enqueued ($ids).
UNWIND $ids AS id
MATCH (b:ChangeBatch {id: id})
REMOVE b:Undelivered
