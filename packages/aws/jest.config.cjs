module.exports = { displayName: 'aws', preset: '../../jest.preset.js' };
