export * from '../../infra/local/cloudfront-functions-sandbox';
