// Topic administration, one job per file: names and patterns (names.ts), the one topic resolver
// (resolve.ts), metadata and ids (metadata.ts), describe, create, delete (with settle.ts), alter,
// and the list --long summary. Returns plain data; never prints, never reads the environment.

export {alterTopic, type AlterChange, type AlterTopicResult} from './alter.js'
export {createTopics, type CreateTopicResult} from './create.js'
export {deleteTopics, planTopicDeletion, type DeleteTopicResult} from './delete.js'
export {describeTopics, type PartitionDescription, type TopicDescription} from './describe.js'
export {javaTopicId} from './metadata.js'
export {listTopicNames} from './names.js'
export {resolveTopics} from './resolve.js'
export {summarizeTopics, type TopicSummary} from './summary.js'
