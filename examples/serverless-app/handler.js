const reply = (body) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})
exports.list = async () => reply({ table: process.env.TABLE, items: ['a', 'b'] })
exports.get = async (event) => reply({ id: event.pathParameters.id })
