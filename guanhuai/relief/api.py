from ninja import Router

router = Router(tags=["关怀救助"])
