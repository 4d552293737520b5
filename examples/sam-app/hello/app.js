exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(
    event.httpMethod === 'POST'
      ? { echo: JSON.parse(event.body ?? 'null') }
      : {
          message: `${process.env.GREETING}, ${event.pathParameters?.name ?? 'nobody'}!`,
          stage: event.requestContext.stage,
        },
  ),
})
