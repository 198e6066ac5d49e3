// No WebRTC implementation: ipfs-daemon finds a falsy export and starts without the
// webrtc-star transport, as it does when its optional WebRTC packages are absent.
module.exports = undefined
