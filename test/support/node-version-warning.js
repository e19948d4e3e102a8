// Jest setup (every config): the AWS SDK prints a ten-line "will require
// Node >= 22" warning the first time a client is built in each process. The
// project supports Node 20 and later (README, "Node versions"): the SDK
// versions are pinned, so the warning is about updates we have not taken.
// Child processes the suites start (the local stack) inherit the setting.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
