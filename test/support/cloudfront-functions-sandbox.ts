export * from '../../infra/local/edge/cloudfront-function-shapes';
export * from '../../infra/local/edge/cloudfront-function-errors';
export * from '../../infra/local/edge/cloudfront-function-syntax';
export * from '../../infra/local/edge/cloudfront-function-result';
export * from '../../infra/local/edge/cloudfront-functions-sandbox';
