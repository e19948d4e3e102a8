export {
  startPostPolicyGuard,
  createPostPolicyGuardHandler,
  type PostPolicyGuard,
  type PostPolicyGuardOptions,
  type PostPolicyGuardHandlerOptions,
  type GuardLogEntry,
} from './post-policy-guard';
export {
  authorizePost,
  checkFileSize,
  fileBaseName,
  type AuthorizedUpload,
  type PostUploadRequest,
  type SuccessAction,
} from './authorize-post';
export { S3rverObjectStore, type ObjectStore, type PutObjectInput } from './object-store';
export type { GuardCredentials } from './policy-signature';
export * from './errors';
