// Express 4, which the tests run the Express adapter on too (package.json: "express4":
// "npm:express@^4"). Typed as Express 5: the API the tests call is the same in both.
declare module 'express4' {
  import express from 'express';
  export default express;
}
