"""The novncproxy (Nova's nova-novncproxy): noVNC's pages and a websocket
proxy from the browser to a guest's VNC server, admitted by consoleauth."""
