export { git, gitOutput, type GitOptions } from "./run-git.js";
export { redactUrl } from "./redact.js";
export {
  isRemoteUrl,
  normalizeLocation,
  initBare,
  ensureBareRepository,
  headCommit,
  workTreeRoot,
  originUrl,
} from "./repository.js";
export { checkoutCommit } from "./checkout.js";
export { repositoryKind, resolveCommit, currentBranch, hasUncommittedChanges } from "./revision.js";
export { listTree, readFileAt, type TreeEntry } from "./tree.js";
export {
  setRepoConfig,
  readRef,
  forceRef,
  isAncestor,
  updateRef,
  isConnected,
  createObjectView,
  type ObjectViewOptions,
} from "./hosted-repo.js";
export {
  remoteBranchHead,
  fetchBranch,
  pushCommit,
  tidyRepository,
  type FetchBranchOptions,
  type PushOutcome,
} from "./remote.js";
export { hashFiles, writeTreeWithChanges, commitTree, type TreeChange } from "./objects.js";
export { inspectLocalRepository, borrowObjects, type LocalRepository } from "./borrow-objects.js";
export { createQuarantine, migrateQuarantine, removeQuarantine, type Quarantine } from "./quarantine.js";
export { updateRefLocked } from "./ref-transaction.js";
export { fetchBranchIfExists } from "./fetch-if-exists.js";
export { openBlobStream, type BlobStream } from "./blob-stream.js";
export { spawnGit } from "./spawn-git.js";
export { openCatFile, type CatFileSession } from "./cat-file-batch.js";
export { createProcessReader, type ObjectReader } from "./object-reader.js";
export { createBatchReader, type BatchReader, type BatchReaderOptions } from "./batch-reader.js";
export { countCommitsTouching, commitTime, firstParents, lastCommitTouching } from "./history.js";
export { splitCredentials, type RemoteAccess } from "./remote-auth.js";
export { fetchObjects, type FetchObjectsOptions } from "./fetch-objects.js";
export { fetchMirror, type FetchMirrorOptions, type FetchMirrorOutcome } from "./fetch-mirror.js";
export { rewriteHistory, type RewriteHistoryOptions, type RewriteHistoryResult } from "./rewrite-history.js";
export { dropUnreachableObjects, expireReflogs, measureObjects } from "./drop-unreachable.js";
export { listPaths, commitsWithTree } from "./tree-search.js";
