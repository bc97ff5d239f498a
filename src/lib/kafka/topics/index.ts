// Topic administration (one job per file): names and patterns, the resolver, metadata, describe,
// create, delete, alter and the list --long summary. Returns plain data; never prints.

export {alterTopic, type AlterChange, type AlterTopicOptions, type AlterTopicResult} from './alter.js'
export {createTopics, type CreateStatus, type CreateTopicResult, type CreateTopicsOptions} from './create.js'
export {deleteTopics, planTopicDeletion, type DeleteStatus, type DeleteTopicResult} from './delete.js'
export {describeTopics, type DescribeTopicsOptions, type PartitionDescription, type TopicDescription} from './describe.js'
export {describeTopicMetadata, javaTopicId} from './metadata.js'
export {isInternalTopic, listTopicNames, topicMatcher, type ListTopicsOptions} from './names.js'
export {resolveTopics, type TopicSelection} from './resolve.js'
export {summarizeTopics, type TopicSummary} from './summary.js'
