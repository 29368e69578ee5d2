from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers each message with the same payload: lets operators check websockets pass
    through their reverse proxy, and is the baseline of the room benchmark."""

    async def receive_json(self, content, **kwargs):
        await self.send_json(content)
