module.exports = { displayName: 'cfn-handler', preset: '../../jest.preset.js' };
