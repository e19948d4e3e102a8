export * from '../../infra/local/cognito-local';
