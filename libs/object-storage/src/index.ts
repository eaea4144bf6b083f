export * from './byte-limit';
export * from './document-type';
export * from './local-directory-storage';
export * from './object-storage';
export * from './s3-storage';
export * from './storage-config';
