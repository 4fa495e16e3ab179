// `idgraph replay`: the source's decision on a review, given to the target's review of the same
// record pair (the review key) while it is pending: the pair's join or constraint is carried over
// by the caller in the same transaction. The reason stays in the source (free text).
MATCH (rv:Review {key: $key})
WHERE rv.status = 'pending'
SET
  rv.status = 'decided',
  rv.decision = $decision,
  rv.decidedBy = $actor,
  rv.decidedAt = toInteger($at),
  rv.updatedAt = toInteger($at),
  rv.replayedReviewId = $reviewId
RETURN rv.id AS id
