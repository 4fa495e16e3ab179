// The Neo4j server's JVM heap now, in bytes: the soak benchmark samples it (a heap that keeps
// growing across collections is a leak; a sawtooth under its maximum is not).
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes
WITH attributes.HeapMemoryUsage.value.properties AS heap
RETURN heap.used AS used, heap.committed AS committed, heap.max AS max
