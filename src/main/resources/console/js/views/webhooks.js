// Plug-in point for webhooks (endpoints, their recent deliveries, a retry button).
//
// The webhooks API (/api/v1/manage/webhooks…) is built on another branch. When it lands,
// this module exports its section(s) in the same shape as every other view:
//
//   export default [{ path: 'webhooks', nav: 'Webhooks', title: 'Webhooks', render(main, route) { … } }];
//
// using ../api.js for calls and ../ui.js for forms (apiForm), confirmations (confirmAction),
// the signing secret shown once (secretPanel), tables and paging. app.js already adds
// whatever this array holds to the navigation and the router; nothing else changes.
//
// Until then it contributes no section: the console shows nothing it cannot back with the API.
export default [];
