-- Start documents again.
obj.spec.suspend = false
return obj
