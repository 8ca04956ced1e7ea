module.exports = { displayName: 'xray', preset: '../../jest.preset.js' };
