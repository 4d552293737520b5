exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    message: `${process.env.GREETING}, ${event.stageVariables?.name ?? 'nobody'}!`,
    path: event.path,
  }),
})
